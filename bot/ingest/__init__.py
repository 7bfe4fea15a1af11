"""From feeds to stored stories: poll cycles, parsing, identity, full text, topic rules, OPML."""
