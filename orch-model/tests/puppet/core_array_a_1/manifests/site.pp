warning(String(Array({'a' => 1})))
site { }
