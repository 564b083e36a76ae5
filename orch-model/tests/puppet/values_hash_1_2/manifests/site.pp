warning(String(Hash([[1, 2]])))
site { }
