"""What a story says: key facts, quotes and speakers, people, roles, events, clusters, /whois."""
