warning(String(values({'a' => 1})))
site { }
