from config import Config, TestConfig


def test_produccion_usa_scrypt():
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert TestConfig.PASSWORD_HASH_METHOD != Config.PASSWORD_HASH_METHOD
