import type { CreateUserRequest, PasswordReset, RoleGrantInput, User } from '@atrium/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export const userKeys = {
  all: ['users'] as const,
  list: () => [...userKeys.all, 'list'] as const,
};

export function useUsers(enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: userKeys.list(),
    queryFn: ({ signal }) => api.get<User[]>('/users', undefined, signal),
    enabled,
  });
}

export function useCreateUser() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => api.post<User>('/users', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export interface UserChange {
  name?: string;
  email?: string;
  status?: 'active' | 'disabled';
  roles?: RoleGrantInput[];
}

export function useUpdateUser() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: UserChange }) => api.patch<User>(`/users/${id}`, change),
    onSuccess: (user) => {
      queryClient.setQueryData<User[]>(userKeys.list(), (list) => list?.map((u) => (u.id === user.id ? user : u)));
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
    },
  });
}

/** Issues a one-time temporary password (shown once); the user must choose a new one at sign-in. */
export function useResetPassword() {
  const api = useApi();
  return useMutation({
    mutationFn: (id: string) => api.post<PasswordReset>(`/users/${id}/password-reset`),
  });
}

/** Deletes a user for good: their personal data goes, the audit log keeps their id. */
export function useDeleteUser() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<void>(`/users/${id}`),
    onSuccess: (_, id) => {
      queryClient.setQueryData<User[]>(userKeys.list(), (list) => list?.filter((u) => u.id !== id));
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
    },
  });
}
