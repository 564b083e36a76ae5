warning(String(Array(undef)))
site { }
