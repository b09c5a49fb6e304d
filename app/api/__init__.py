"""The read API for other systems (/api/v1/): its tokens (``tokens``) and what it reads (``reads``).

The API changes nothing in the portal: it reads what the domain services already answer for the
portal's own pages, through the same rules (a draft call is nobody's, a token sees only its
agency's calls).
"""
