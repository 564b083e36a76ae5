warning(String(defined('$x')))
site { }
