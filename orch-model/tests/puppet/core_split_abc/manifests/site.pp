warning(String(split('abc', '')))
site { }
