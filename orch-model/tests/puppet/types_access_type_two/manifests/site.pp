$x = Type[String, String]
site { }
