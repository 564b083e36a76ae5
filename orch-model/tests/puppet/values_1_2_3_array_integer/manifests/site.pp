warning(String([1, 2, 3] =~ Array[Integer]))
site { }
