import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./api";
import type { ConsoleConfig } from "./config";

export interface ConsoleServices {
  api: Api;
  config: ConsoleConfig;
}

export const ConsoleContext = createContext<ConsoleServices | null>(null);

/** The API client and the configuration, for any screen. */
export function useConsole(): ConsoleServices {
  const services = useContext(ConsoleContext);
  if (services === null) throw new Error("useConsole() outside <ConsoleContext.Provider>");
  return services;
}
