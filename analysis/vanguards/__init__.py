"""New care models (vanguards): emergency admission growth. Readers so far; the chapter is to come."""
