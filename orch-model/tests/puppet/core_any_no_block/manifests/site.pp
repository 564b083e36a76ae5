warning(String([1].any))
site { }
