"""The pure core: rules, money, NIK, regions, selection SQL.

Nothing in this package imports Django, reads the clock, or touches files or databases.
Callers pass data (and reference dates) in; the core returns values, decisions with
reasons, or SQL text for an engine adapter to run.
"""
