$x = Sensitive[String, String]
site { }
