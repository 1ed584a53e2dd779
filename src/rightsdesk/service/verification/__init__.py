"""Who is asking: one-time codes to an identity the company holds, or the host's signed token."""
