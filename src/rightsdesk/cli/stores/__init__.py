"""Commands on data stores and data maps directly: plan, access and erase through a map
(``data``), validate, draft, diff and import maps (``datamap``), and the embedded ``demo``."""
