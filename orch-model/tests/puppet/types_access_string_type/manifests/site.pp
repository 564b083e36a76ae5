$x = String[String]
site { }
