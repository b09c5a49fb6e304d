"""협약: plan revision after the announcement, the agreement document and its signatures."""
