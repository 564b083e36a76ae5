class m::db() { }
