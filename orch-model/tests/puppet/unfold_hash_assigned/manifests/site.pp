$x = *{'a' => 1} warning(String($x))
site { }
