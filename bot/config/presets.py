"""Built-in topic rule sets, used when a config names them without defining them.

`ai-defense` wants both halves of the beat in one story: an AI term and a defense term. Each half
is a list of words and phrases chosen so that common false friends stay out:

- "AI" is matched in capitals only (not "said", "aide", "Thai", "Ai Weiwei").
- "defense" never counts alone, only in military phrases, so a defense attorney, a football
  defense or an "AI defense against phishing" is not news for this channel.
- Words that are military only in some senses are written as phrases: "combat" (troops, aircraft,
  zone; not "combat misinformation"), "lethal" (force, weapons; not "lethal heart rhythm"),
  "targeting" (systems, aid; not "ad targeting"), "weapons" (plural: "a secret weapon" is a figure of
  speech).
- Reporting on military AI often names the system or the programme and never says "AI": uncrewed
  and autonomous vessels, aircraft and ground vehicles, drone swarms, attritable and collaborative
  combat aircraft, decision-support and targeting software, and programmes such as Replicator,
  Maven, Thunderforge or JADC2 count for the AI half. Each is written as the phrase that stays
  military-specific ("uncrewed surface vessel", not "autonomous"; "unmanned systems", not the
  "unmanned aerial vehicles" of every war report), so defense news without autonomy stays out.
- Services and the Pentagon are matched with their capital letter (RE2 regexes are case-sensitive):
  "the Navy" but not "navy blue", "Army" but not "an army of bots".
- `ignore` holds phrases whose words must not count: drone bees, defense lawyers, navy blue, "an
  army of" bots, the Army-Navy game, a video game's "Modern Warfare", "military-grade" as a
  marketing word. They are blanked out rather than vetoing the story, so a real defense story that
  happens to mention a defense lawyer still counts on its other words.
"""

from __future__ import annotations

from bot.config.settings import TopicConfig

# "Replicator" and "Maven" are ordinary words or other products in lower case or elsewhere ("a
# replicator", Apache Maven, Maven Clinic): only the capitalised word counts, and the false friends
# below blank the products out.
_CAPITALISED_PROGRAMMES = r"/\b(?:Replicator|Maven)\b/"

AI_TERMS = [
    "AI", "A.I.", "AGI", "artificial intelligence", "machine learning", "machine-learning", "deep learning",
    "neural network", "neural networks", "large language model", "large language models", "LLM", "LLMs",
    "generative AI", "generative model", "generative models", "foundation model", "foundation models",
    "frontier model", "frontier models", "chatbot", "chatbots", "ChatGPT", "OpenAI", "Anthropic", "DeepMind",
    "xAI", "Scale AI", "computer vision", "algorithmic warfare", "algorithmic targeting", "Project Maven",
    "autonomous weapon", "autonomous weapons", "autonomous weapons systems", "lethal autonomy",
    "autonomous drone", "autonomous drones", "autonomous systems", "autonomous vehicle", "autonomous vehicles",
    "autonomous aircraft", "autonomous vessel", "autonomous vessels", "autonomous submarine",
    "autonomous submarines", "drone swarm", "drone swarms", "killer robots", "target recognition",
    # Autonomy named by what it drives: reporting on uncrewed and autonomous systems often never says "AI".
    "uncrewed system", "uncrewed systems", "uncrewed aircraft", "uncrewed aerial", "uncrewed surface",
    "uncrewed underwater", "uncrewed vessel", "uncrewed vessels", "uncrewed vehicle", "uncrewed vehicles",
    "uncrewed boat", "uncrewed boats", "uncrewed platform", "uncrewed platforms", "uncrewed combat",
    "unmanned systems", "unmanned surface vessel", "unmanned surface vessels", "unmanned underwater vehicle",
    "unmanned underwater vehicles", "unmanned ground vehicle", "unmanned ground vehicles",
    "unmanned combat aerial vehicle", "unmanned combat aerial vehicles", "military autonomy", "autonomy software",
    "autonomous capabilities", "autonomous platform", "autonomous platforms", "autonomous ship", "autonomous ships",
    "autonomous boat", "autonomous boats", "autonomous fighter", "autonomous fighters", "autonomous jet",
    "autonomous jets", "autonomous flight", "autonomous targeting", "autonomous strike", "autonomous surface vessel",
    "autonomous surface vessels", "autonomous underwater vehicle", "autonomous underwater vehicles",
    "swarming drones", "swarm of drones", "swarms of drones", "attritable", "loyal wingman", "loyal wingmen",
    "collaborative combat aircraft", "robotic combat vehicle", "robotic combat vehicles",
    # Decision and targeting aids, which are software that reads sensor data for people ("decision support
    # system" alone is as often clinical, so only the military-software phrasings count).
    "decision-support tool", "decision-support tools",
    "decision-support software", "targeting aid", "targeting aids", "targeting algorithm", "targeting algorithms",
    # Programmes and offices whose name is the story: each is military AI or autonomy and nothing else.
    _CAPITALISED_PROGRAMMES, "Maven Smart System", "Thunderforge", "Skyborg", "AlphaDogfight",
    "Air Combat Evolution", "JADC2", "CJADC2", "Joint All-Domain Command and Control", "Task Force Lima", "JAIC",
    "CDAO", "GenAI", "Drone Dominance", "X-62A", "XQ-58", "YFQ-42A", "YFQ-44A", "MQ-28", "Ghost Bat",
]

_SERVICES = r"/\b(?:Pentagon|Army|Navy|Air Force|Marine Corps|Marines|Space Force|Coast Guard|National Guard)\b/"

DEFENSE_TERMS = [
    _SERVICES,
    "Department of Defense", "Department of Defence", "Defense Department", "Defence Department",
    "Ministry of Defence", "Ministry of Defense", "defence ministry", "defense ministry", "defense minister",
    "defence minister", "DoD", "MoD", "Department of War", "War Department", "Secretary of Defense",
    "Defense Secretary", "Defence Secretary", "defense official", "defense officials", "defence officials",
    "defense contractor", "defense contractors", "defence contractor", "defence contractors", "defense industry",
    "defence industry", "defense tech", "defence tech", "defense technology", "defense startup",
    "defense startups", "defence startup", "defense firm", "defense firms", "defense company",
    "defense companies", "defence firm", "defence company", "national defense", "national defence",
    "missile defense", "missile defence", "air defense", "air defence", "defense budget", "defence budget",
    "defense spending", "defence spending",
    "military", "militaries", "armed forces", "soldier", "soldiers", "troops", "warfighter", "warfighters",
    "warfare", "weapons", "weapon system", "weapon systems", "weapons system", "weapons systems", "weaponry",
    "munition", "munitions", "loitering munition", "missile", "missiles", "warhead", "warheads",
    "combat aircraft", "combat drone", "combat drones", "combat vehicle", "combat vehicles", "combat operations",
    "combat troops", "combat zone", "combat zones", "combat mission", "combat missions", "combat units",
    "in combat", "lethal force", "lethal weapons", "lethal drones", "targeting system", "targeting systems",
    "targeting aid", "targeting software", "targeting data", "military targeting", "kill chain", "kill chains",
    "drone strike", "drone strikes", "military drone", "military drones", "scout drone", "scout drones",
    "attack drone", "attack drones", "armed drone", "armed drones", "kamikaze drone", "kamikaze drones",
    "counter-drone", "counter-UAS", "C-UAS", "fighter jet", "fighter jets", "national security",
    "intelligence community",
    "classified network", "classified networks", "DARPA", "NATO", "CENTCOM", "INDOPACOM", "NORAD", "CDAO",
    "Defense Innovation Unit", "IDF", "Israel Defense Forces", "People's Liberation Army", "Bundeswehr",
    "Anduril", "Palantir", "Shield AI", "Helsing", "Lockheed Martin", "Northrop Grumman", "Raytheon",
    "General Dynamics", "BAE Systems", "L3Harris", "war zone", "war zones",
]

# Phrases whose words do not count for either half (blanked out before matching).
FALSE_FRIENDS = [
    "defense attorney", "defense attorneys", "defense lawyer", "defense lawyers", "defence lawyer",
    "defence lawyers", "defense counsel", "public defender", "drone bee", "drone bees", "defensive end",
    "defensive line", "Army-Navy game", "Modern Warfare", "military-grade", "military grade", "navy blue",
    "an army of", "army of bots", "army of agents", "Salvation Army", "Swiss Army knife", "Swiss army",
    "Ai Weiwei", "Maven Clinic", "Apache Maven",
]

BUILTIN_TOPICS: dict[str, TopicConfig] = {
    "ai-defense": TopicConfig(
        description="Artificial intelligence in defense and national security (built-in)",
        all=[AI_TERMS, DEFENSE_TERMS],
        ignore=FALSE_FRIENDS,
    ),
}
