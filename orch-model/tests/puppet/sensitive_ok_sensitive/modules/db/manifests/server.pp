define db::server(Sensitive[String] $password, $host = 'db.example') { }
