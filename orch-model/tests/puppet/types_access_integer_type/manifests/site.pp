$x = Integer[String]
site { }
