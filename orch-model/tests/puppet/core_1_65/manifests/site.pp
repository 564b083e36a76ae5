warning(String(1 << 65))
site { }
