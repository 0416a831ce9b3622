from .player_attribute_recognizer import PlayerAttributeRecognizer

__all__ = ['PlayerAttributeRecognizer']
