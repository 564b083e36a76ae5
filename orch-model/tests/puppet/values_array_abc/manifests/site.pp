warning(String(Array('abc')))
site { }
