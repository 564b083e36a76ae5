warning(String(Array('abc', true)))
site { }
