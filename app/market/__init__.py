"""Around the call: needs, capabilities, alliances, research groups and task candidates."""
