warning(String(2.0 * 3))
site { }
