"""Labelled news stories written for sitrep's tests, in several outlets' styles.

Each story says which quotations it holds and who said them, which quoted words are not
statements, which people and organisations it names and what roles it gives them. All names,
organisations and events are invented (or used only as the generic background of the beat).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Labelled:
    key: str
    title: str
    paragraphs: list[str]
    quotes: list[tuple[str, str | None]] = field(default_factory=list)  # (snippet, last word of speaker)
    not_quotes: list[str] = field(default_factory=list)  # quoted words that are no one's statement
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    not_entities: list[str] = field(default_factory=list)
    roles: list[tuple[str, str, str | None, bool]] = field(default_factory=list)  # person, title part, org, former
    events: list[tuple[str, str]] = field(default_factory=list)  # person, words the event must contain

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


STORIES = [
    Labelled(
        key="ap-said-x",
        title="Navy taps Halcyon Dynamics for autonomous minesweepers",
        paragraphs=[
            "The U.S. Navy has awarded Halcyon Dynamics a $220 million contract to build autonomous minesweeping "
            "boats, the service said Wednesday.",
            "\"Clearing mines is slow, dangerous work, and it is exactly the kind of job a machine should take,\" "
            "said Rear Adm. Laura Mendez, who leads the Navy's mine warfare programs. \"No sailor should have to "
            "do it by hand.\"",
            "Halcyon chief executive Peter Hollis said the boats would be built in Mobile, Alabama. \"We hired 200 "
            "people for this,\" Hollis said in an interview. \"Most of them are veterans.\"",
            "\"It's a good start,\" he added, \"but the Navy will want more than ten boats.\"",
        ],
        quotes=[("Clearing mines is slow", "Mendez"), ("No sailor should have to do it by hand", "Mendez"),
                ("We hired 200 people for this", "Hollis"), ("Most of them are veterans", "Hollis"),
                ("It's a good start", "Hollis"), ("but the Navy will want more than ten boats", "Hollis")],
        people=["Laura Mendez", "Peter Hollis"],
        orgs=["Halcyon Dynamics"],
        roles=[("Laura Mendez", "Rear Admiral", None, False), ("Laura Mendez", "mine warfare", "Navy", False),
               ("Peter Hollis", "chief executive", "Halcyon Dynamics", False)],
    ),
    Labelled(
        key="british-single-quotes",
        title="Defence Ministry orders review of AI targeting trial",
        paragraphs=[
            "Britain’s Defence Ministry has ordered an independent review of an artificial intelligence targeting "
            "trial after a report found the software misidentified civilian vehicles.",
            "‘We will not field anything we cannot explain,’ Defence Minister Graham Whitfield told reporters on "
            "Monday.",
            "The report, titled ‘Trust at the Edge’, was written by researchers at the Royal United Services "
            "Institute. It said the system’s ‘confidence scores’ were poorly understood by operators.",
            "According to Whitfield, the review will take three months.",
            "‘The trial did what trials are for. It found the problems before the front line did,’ said Nadia "
            "Petrova, a senior fellow at the institute.",
        ],
        quotes=[("We will not field anything we cannot explain", "Whitfield"),
                ("It found the problems before the front line did", "Petrova")],
        not_quotes=["Trust at the Edge", "confidence scores"],
        people=["Graham Whitfield", "Nadia Petrova"],
        orgs=["Royal United Services Institute"],
        roles=[("Graham Whitfield", "Minister", "Ministry of Defence", False),
               ("Nadia Petrova", "senior fellow", None, False)],
    ),
    Labelled(
        key="colon-and-multi-paragraph",
        title="Corvid Labs wins Army contract for drone detection software",
        paragraphs=[
            "Corvid Labs, a startup based in Denver, has won a $45 million Army contract to supply software that "
            "spots small drones on radar.",
            "The company’s founder, Angela Brooks, described the system at a briefing on Thursday. She said:",
            "“Our software does not shoot anything. It tells a human where to look, and the human decides.",
            "“That division of labor is the whole design.”",
            "A spokesperson for the Army said in a statement that the contract “reflects the urgency of the drone "
            "threat.”",
            "\"We expect the first units in the field by summer,\" an Army spokesperson told Defense Daily.",
        ],
        quotes=[("Our software does not shoot anything", "Brooks"), ("That division of labor", "Brooks"),
                ("reflects the urgency of the drone threat", "Army"), ("We expect the first units", "Army")],
        people=["Angela Brooks"],
        orgs=["Corvid Labs", "Army"],
        roles=[("Angela Brooks", "founder", "Corvid Labs", False)],
    ),
    Labelled(
        key="camel-case-org-caption-tweet",
        title="VectorForge's safety chief resigns over drone deal",
        paragraphs=[
            "VectorForge’s head of safety research, Kenji Watanabe, has resigned over the company’s decision to "
            "sell its vision models to a drone maker.",
            "“I joined VectorForge to make these systems safer, not to aim them,” Watanabe wrote on LinkedIn.",
            "(Photo by Marcus Lee/Getty Images)",
            "— Kenji Watanabe (@kwatanabe) April 2, 2026",
            "VectorForge said the contract covers surveillance only. Watanabe previously worked at Google as a "
            "research scientist for six years.",
            "The company is also working with former Apple designer Tobias Renn on a consumer device.",
        ],
        quotes=[("I joined VectorForge to make these systems safer", "Watanabe")],
        people=["Kenji Watanabe", "Tobias Renn"],
        orgs=["VectorForge", "Google", "Apple"],
        not_entities=["Marcus Lee"],
        roles=[("Kenji Watanabe", "head of safety research", "VectorForge", False),
               ("Kenji Watanabe", "research scientist", "Google", True), ("Tobias Renn", "designer", "Apple", True)],
        events=[("Kenji Watanabe", "resigned over drone deal")],
    ),
    Labelled(
        key="pronoun-partial-scare",
        title="Senator presses Pentagon on autonomous weapons policy",
        paragraphs=[
            "Sen. Maria Okonkwo pressed Pentagon officials on Tuesday to explain how autonomous weapons are tested "
            "before they are deployed.",
            "Okonkwo, who chairs the Senate subcommittee on emerging threats, met with Deputy Secretary Alan Reyes "
            "for an hour. “I left with more questions than answers,” she said afterward.",
            "She called the department’s current guidance “dangerously vague” and said she would hold a hearing "
            "in May.",
            "Reyes defended the so-called “human judgment” standard in a letter to the committee.",
        ],
        quotes=[("I left with more questions than answers", "Okonkwo"), ("dangerously vague", "Okonkwo")],
        not_quotes=["human judgment"],
        people=["Maria Okonkwo", "Alan Reyes"],
        orgs=["Pentagon"],
        roles=[("Maria Okonkwo", "Senator", None, False),
               ("Maria Okonkwo", "chair of the Senate subcommittee", None, False),
               ("Alan Reyes", "Deputy Secretary", None, False)],
    ),
    Labelled(
        key="told-reporters-according-to",
        title="Lockheed Martin tests AI copilot in F-16 trial",
        paragraphs=[
            "Lockheed Martin said Friday it had flown an F-16 with an AI copilot that handled navigation while the "
            "pilot managed weapons.",
            "\"The pilot never lost control of the aircraft,\" Lockheed Martin test director Simone Grant told "
            "reporters at the company's plant in Texas.",
            "\"Autonomy is coming to every cockpit, whether we are ready or not,\" according to Brian Castillo, an "
            "analyst at the Teal Group.",
            "\"The tests will continue through the summer,\" the company said.",
        ],
        quotes=[("The pilot never lost control", "Grant"), ("Autonomy is coming to every cockpit", "Castillo"),
                ("The tests will continue through the summer", "Martin")],
        people=["Simone Grant", "Brian Castillo"],
        orgs=["Lockheed Martin", "Teal Group"],
        roles=[("Simone Grant", "test director", "Lockheed Martin", False),
               ("Brian Castillo", "analyst", "Teal Group", False)],
    ),
    Labelled(
        key="said-x-apposition-and-unattributed",
        title="Agency warns of AI-enabled drone swarms",
        paragraphs=[
            "“The threat is real and it is growing,” said Dr. Helen Marsh, the agency’s chief scientist, at a "
            "conference in Washington.",
            "Marsh joined the agency in 2021 after a decade at Sandia National Laboratories.",
            "“Nobody has a complete answer yet.”",
        ],
        quotes=[("The threat is real and it is growing", "Marsh"), ("Nobody has a complete answer yet", "Marsh")],
        people=["Helen Marsh"],
        roles=[("Helen Marsh", "chief scientist", None, False)],
    ),
    Labelled(
        key="statement-and-department-titles",
        title="Stellwerk wins Army deal for imagery AI",
        paragraphs=[
            "Stellwerk Analytics has won a $480 million contract from the U.S. Army to expand an AI platform that "
            "helps analysts find targets in satellite imagery, the company said Wednesday.",
            "\"This is becoming the backbone of how the Army sees the battlefield,\" Rohan Mehta, Stellwerk's chief "
            "technology officer, said in a statement.",
            "Defense Secretary Paul Iverson has called AI \"the decisive technology of this decade.\"",
            "Mehta, who joined Stellwerk in 2006 as one of its first employees, said the company would hire 300 "
            "engineers. Carla Voigt, who previously served as staff director of the Senate Armed Services "
            "Committee, said the deal was overdue.",
            "According to Human Rights Watch, such systems \"raise serious concerns about accountability.\"",
        ],
        quotes=[("backbone of how the Army sees the battlefield", "Mehta"),
                ("the decisive technology of this decade", "Iverson"),
                ("raise serious concerns about accountability", "Watch")],
        people=["Rohan Mehta", "Paul Iverson", "Carla Voigt"],
        orgs=["Stellwerk Analytics", "Human Rights Watch"],
        roles=[("Rohan Mehta", "chief technology officer", "Stellwerk Analytics", False),
               ("Paul Iverson", "Secretary", "Department of Defense", False),
               ("Carla Voigt", "staff director", "Senate Armed Services Committee", True)],
    ),
    Labelled(
        key="rank-read-as-a-work-of-art",
        title="Navy picks Tidewater Robotics for autonomous patrol boats",
        paragraphs=[
            "The U.S. Navy has picked Tidewater Robotics to build autonomous patrol boats steered by artificial "
            "intelligence, the Pentagon said on Monday.",
            "\"Every engagement decision stays with a sailor,\" Rear Adm. Judith Carrow, who oversees the program, "
            "told reporters at the Pentagon.",
        ],
        quotes=[("Every engagement decision stays with a sailor", "Carrow")],
        people=["Judith Carrow"],
        orgs=["Tidewater Robotics"],
    ),
    Labelled(
        key="surname-after-a-name-the-model-called-a-company",
        title="Lockstone's head of AI leaves after dispute over autonomous weapons",
        paragraphs=[
            "Helena Marsh, who led artificial intelligence research at defense contractor Lockstone Systems, has "
            "left the company after clashing with executives over autonomous weapons programs.",
            "In a memo to her team seen by Signal & Noise, Marsh wrote that she could not \"sign off on systems "
            "whose failure modes we do not yet understand.\" She added: \"I leave with respect for the people "
            "here.\"",
            "Lockstone president Victor Hale said in a statement that the company \"remains committed to keeping "
            "humans accountable for every use of force.\" A Lockstone spokeswoman declined to say who would "
            "replace Marsh.",
        ],
        quotes=[("sign off on systems whose failure modes", "Helena Marsh"),
                ("I leave with respect", "Helena Marsh"),
                ("remains committed to keeping humans accountable", "Victor Hale")],
        people=["Helena Marsh", "Victor Hale"],
        orgs=["Lockstone Systems"],
    ),
]
