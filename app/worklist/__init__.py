"""The home page's personal task list: what each role has to do next, across the domains.

It reads several domains (proposals, review, selection, honoraria) and changes none, so it
sits beside them rather than in one: ``tasks.for_user`` gathers the items of every role the
user holds, each a sentence, a link and perhaps a due instant, in a bounded number of queries
(no query per call or per assignment).
"""
