"""Restriction of processing (GDPR Art. 18, PIPL Art. 44) and objections (GDPR Art. 21).

``marks`` marks and unmarks the person's rows in the data stores as the data map says (a flag
column, rightsdesk's side table of keyed row hashes, or an event to the host); ``ledger`` keeps
the restrictions and answers the processing check; ``lifting`` lifts one, telling the person
first.
"""
