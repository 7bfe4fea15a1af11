"""Built-in topic rule sets, used when a config names them without defining them.

`ai-defense` wants both halves of the beat in one story: an AI term and a defense term. Each half
is a list of words and phrases chosen so that common false friends stay out: "AI" is matched in
capitals only (not "said", "aide", "Thai"), and "defense" only in military phrases, never alone,
so a defense attorney or a football defense is not news for this channel.
"""

from __future__ import annotations

from bot.config.models import TopicConfig

AI_TERMS = [
    "AI", "A.I.", "AGI", "artificial intelligence", "machine learning", "deep learning",
    "neural network", "neural networks", "large language model", "large language models", "LLM", "LLMs",
    "generative model", "generative models", "foundation model", "foundation models", "frontier model",
    "frontier models", "AI model", "AI models", "chatbot", "chatbots", "ChatGPT", "OpenAI", "Anthropic",
    "DeepMind", "computer vision", "autonomous weapon", "autonomous weapons", "lethal autonomy",
    "autonomous drone", "autonomous drones", "algorithmic warfare", "Project Maven", "xAI", "Scale AI",
]

DEFENSE_TERMS = [
    "Pentagon", "Department of Defense", "Department of Defence", "Defense Department", "Defence Department",
    "Ministry of Defence", "Ministry of Defense", "defence ministry", "defense ministry", "DoD", "MoD",
    "Department of War", "War Department", "Secretary of Defense", "Defense Secretary", "Defence Secretary",
    "defense secretary", "defense contractor", "defense contractors", "defence contractor", "defense industry",
    "defence industry", "defense tech", "defence tech", "defense technology", "national defense",
    "missile defense", "air defense", "air defence", "defense budget", "defence budget",
    "military", "militaries", "armed forces", "Army", "Navy", "Air Force", "Marine Corps", "Space Force",
    "Marines", "soldier", "soldiers", "troops", "warfighter", "warfighters", "battlefield", "combat",
    "warfare", "weapon", "weapons", "weapons system", "munition", "munitions", "missile", "missiles",
    "drone strike", "drone strikes", "military drone", "military drones", "scout drone", "scout drones",
    "attack drone", "attack drones", "killer robots", "lethal", "targeting", "national security",
    "DARPA", "NATO", "Anduril", "Palantir", "Shield AI", "CENTCOM", "INDOPACOM", "NORAD", "classified networks",
    "classified network", "Defense Innovation Unit", "CDAO", "intelligence community",
]

# Phrases that mean the story is about something else even when both halves match.
NOT_DEFENSE = ["defense attorney", "defense attorneys", "defense lawyer", "defense lawyers", "drone bee",
               "drone bees", "defensive end", "defensive line"]

BUILTIN_TOPICS: dict[str, TopicConfig] = {
    "ai-defense": TopicConfig(
        description="Artificial intelligence in defense and national security (built-in)",
        all=[AI_TERMS, DEFENSE_TERMS],
        none=NOT_DEFENSE,
    ),
}
