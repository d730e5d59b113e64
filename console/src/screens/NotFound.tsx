import { PageHeader } from "../ui/components";
import { useDocumentTitle } from "../ui/hooks";
import { Link } from "../router";

export function NotFound() {
  useDocumentTitle("Not found");
  return (
    <section>
      <PageHeader title="No such page" />
      <p>
        The console has no screen at this address. <Link href="/channels">Go to the channels</Link>.
      </p>
    </section>
  );
}
