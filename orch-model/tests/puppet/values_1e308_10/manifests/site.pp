warning(String(1e308 * 10))
site { }
