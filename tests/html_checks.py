"""Checks on rendered HTML shared by the bad-input and security suites."""

from html.parser import HTMLParser


class ActiveContent(HTMLParser):
    """What a browser would run: script elements, event-handler attributes, javascript:/data: URLs, frames."""

    EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster", "background"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "script" and attributes.get("type", "").lower() in self.EXECUTABLE_TYPES:
            self._in_script = True
        for name, value in attributes.items():
            text = f"<{tag} {name}={value!r}>"
            if name.startswith("on"):
                self.found.append(text)
            elif name in self.URL_ATTRIBUTES:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")) or name == "srcdoc":
                    self.found.append(text)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.found.append(f"<script>{data}</script>")


def injected(html: str, marker: str = "xss") -> list[str]:
    """Active content in `html` that carries the payload's marker: empty when every payload is inert."""
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return [item for item in parser.found if marker in item]
