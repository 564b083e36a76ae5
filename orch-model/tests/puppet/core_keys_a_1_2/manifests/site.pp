warning(String(keys({'a' => 1}, 2)))
site { }
