warning(String([3, 1, 2].sort))
site { }
