# A Ruby function orch does not implement.
