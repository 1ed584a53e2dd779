"""Erasures done, remembered without the person: the suppression list (keyed hashes an incoming
record is checked against, DEL-09) in ``suppression``; the journal a restore replays (DEL-05),
its identities sealed until the replay horizon, in ``journal``; the replay itself in ``replay``.
"""
