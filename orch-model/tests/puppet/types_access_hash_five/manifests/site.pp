$x = Hash[String, Integer, 1, 2, 3]
site { }
