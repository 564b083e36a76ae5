warning(String("${{'a' => 1}}"))
site { }
