"""Commands on the request desk, as the local operator: requests and tickets, consent and
bindings, restrictions, deliveries and the outbox, the retention vault."""
