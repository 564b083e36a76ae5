warning(String("${[1, 2]}"))
site { }
