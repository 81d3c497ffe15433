"""Recipient publicity lists (公示名单): reading the programmes' exports and masking them.

``spreadsheet`` reads an .xlsx or .csv export into rows of text by recognized column;
``masking`` turns each row into the few masked values a list publishes, or refuses it;
``services`` creates, fills, publishes and expires the pages. The first two are pure.
"""
