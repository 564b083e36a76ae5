warning(String(flatten([1, [2, [3]]])))
site { }
