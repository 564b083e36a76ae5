warning(String(keys({'a' => 1})))
site { }
