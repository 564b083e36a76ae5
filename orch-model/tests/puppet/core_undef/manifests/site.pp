warning(String(!undef))
site { }
