warning(String([1, 2] == [1, 2]))
site { }
