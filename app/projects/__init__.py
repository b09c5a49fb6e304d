"""과제 관리: projects after the agreement — reports, inspections, plan changes, the portfolio."""
