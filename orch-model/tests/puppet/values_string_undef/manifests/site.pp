warning(String(String(undef)))
site { }
